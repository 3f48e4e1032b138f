package client

// ScopeChoice is how an operator narrows or extends a client's scopes before the import:
// which of its APIs (grant audiences) to carry over, single scopes to drop, custom scopes to
// add. The zero value keeps everything the source granted.
type ScopeChoice struct {
	Audiences []string // nil: every audience
	Drop      Scopes
	Add       Scopes
}

// ChosenScopes returns the scopes c would hold in the target under ch. A client without
// grants (from a file, or typed in) starts from its own scopes, since it has no audiences.
func (c *Client) ChosenScopes(ch ScopeChoice) Scopes {
	base := c.Scopes
	if len(c.Grants) > 0 {
		base = ScopesOf(c.Grants, ch.Audiences)
	}
	if len(ch.Drop) == 0 && len(ch.Add) == 0 && base != nil {
		return base
	}
	return base.Minus(ch.Drop).Union(ch.Add)
}
