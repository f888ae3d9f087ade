// Package yamlref finds berth:// references in YAML and replaces them with
// image references, leaving every other byte of the file as it was.
package yamlref
