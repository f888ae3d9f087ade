// Package cli is berth's command tree: it parses flags, resolves configuration
// and hands small typed options to the domain packages.
package cli
