// Package cli is berth's command tree: it parses flags into a
// pipeline.Request, hands the plan's artifact to publish's sinks and
// reports; it runs no pipeline step itself.
package cli
