// Package pipeline owns the path from a request to an artifact: Prepare
// checks everything before cargo runs, Plan.Build compiles, resolves the
// runtime closure and makes the image or index with its attachments, and
// Plan.Stage writes the same files into a directory.
package pipeline
