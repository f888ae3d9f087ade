package provenance

import (
	"encoding/json"
	"fmt"
	"strings"

	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// Parsed is a statement read back: its subjects and what it records.
type Parsed struct {
	Subjects []Subject
	Build    Build
}

// Parse reads a statement Statement wrote; another predicate type, or a
// build type other than berth's, is an error.
func Parse(data []byte) (*Parsed, error) {
	st := &intoto.Statement{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("reading the provenance statement: %w", err)
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("reading the provenance statement: %w", err)
	}
	if st.PredicateType != PredicateType {
		return nil, fmt.Errorf("the statement's predicate is %s, not SLSA provenance v1 (%s)", st.PredicateType, PredicateType)
	}
	raw, err := protojson.Marshal(st.Predicate)
	if err != nil {
		return nil, err
	}
	pred := &slsa.Provenance{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, pred); err != nil {
		return nil, fmt.Errorf("reading the SLSA predicate: %w", err)
	}
	if err := pred.Validate(); err != nil {
		return nil, fmt.Errorf("reading the SLSA predicate: %w", err)
	}
	def := pred.BuildDefinition
	if def.BuildType != BuildType {
		return nil, fmt.Errorf("the provenance's build type is %s, not berth's (%s): it was not made by cargo berth build", def.BuildType, BuildType)
	}
	p := &Parsed{}
	if err := fromStruct(def.ExternalParameters.AsMap(), &p.Build.External); err != nil {
		return nil, fmt.Errorf("reading externalParameters: %w", err)
	}
	if err := fromStruct(def.InternalParameters.AsMap(), &p.Build.Internal); err != nil {
		return nil, fmt.Errorf("reading internalParameters: %w", err)
	}
	p.Build.Dependencies = dependencies(def.ResolvedDependencies)
	for _, s := range st.Subject {
		for alg, hex := range s.Digest {
			p.Subjects = append(p.Subjects, Subject{Name: s.Name, Digest: alg + ":" + strings.ToLower(hex)})
		}
	}
	return p, nil
}

func fromStruct(m map[string]any, v any) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// About reports whether digest is one of the statement's subjects.
func (p *Parsed) About(digest string) bool {
	for _, s := range p.Subjects {
		if s.Digest == digest {
			return true
		}
	}
	return false
}
