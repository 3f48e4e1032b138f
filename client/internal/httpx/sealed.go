package httpx

import "github.com/m2mport/m2mport/client"

// Sealed holds a credential that an API client keeps for its whole life (an app's secret, a
// project's secret, a cached token) where no fmt verb can print it. client.Secret masks
// itself whenever fmt can call its methods, but fmt prints unexported struct fields by
// reflection without calling them, so a Secret kept in a field of an API client would show
// in full in any %v of that client: a debug line, a test failure, a panic. fmt prints a func
// as its address.
type Sealed func() client.Secret

// Seal returns s sealed.
func Seal(s client.Secret) Sealed { return func() client.Secret { return s } }
