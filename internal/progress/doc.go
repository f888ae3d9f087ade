// Package progress shows how far a long step (a push, a layer's
// compression) has got: a live line on a terminal, plain lines in a log.
package progress
