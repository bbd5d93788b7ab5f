// Package receiver is the logic behind the `hookrelay verify` and
// `hookrelay listen` commands: a receiver's view of hookrelay's requests.
//
// Verify checks one captured request — a raw HTTP request file, or a file of
// "Name: value" header lines plus a body file — and reports either that it
// is valid or exactly why not. Listen runs a local receiver that verifies
// every request it gets, prints the verdict, event id, type and pretty JSON
// body of each, and answers a chosen status, so that retries can be tested.
//
// Both take option structs validated once (Validate) and write their report
// to an io.Writer; the CLI only maps flags onto the options.
package receiver
