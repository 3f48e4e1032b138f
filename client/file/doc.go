// Package file reads M2M clients from a CSV or JSON file — a source of a migration, like
// client/auth0, for clients kept at any other provider or gathered by hand. It implements
// client.Source: Connect and Inventory read the file, leave out every row that is bad or
// ambiguous (with a warning naming its line), and turn the rest into client.Client records.
// Its errors name a row's line and a column's position or name, never a value from the
// file: the first row of a file without a header is data, and may be a secret.
//
// file imports client for the record type and nothing else of ours. It must not import
// client/auth0, client/stytch, client/sandbox, tui, keystore or themes.
package file
