// Package ctxio has the reader and writer that stop a long copy between two
// chunks once their context is done.
package ctxio
