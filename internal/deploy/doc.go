// Package deploy takes berth's images to a cluster's YAML: it builds and
// pushes every berth:// binary a manifest names, once, through the
// pipeline, replaces each reference by its digest, and applies the result
// with kubectl.
package deploy
