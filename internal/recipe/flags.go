package recipe

import "github.com/berth-dev/berth/internal/cargo"

// BuildFlags are the cargo flags cook builds with; the final build must use
// the same ones for the cooked dependencies to be fresh, so they are
// cargo.Flags, the one spelling of cargo's command line build and stage use
// too.
type BuildFlags = cargo.Flags
