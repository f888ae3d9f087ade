// Package cachedir chooses berth's cache directory and refuses one that
// another user could write to.
package cachedir
