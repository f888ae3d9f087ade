// Package verify proves an image by rebuilding it: it reads the image's
// provenance, checks out the recorded commit and builds it again through
// the pipeline, then compares digests and explains a difference.
package verify
