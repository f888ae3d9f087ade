package provenance

import (
	"encoding/json"
	"fmt"

	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// Statement renders the provenance of b about subjects as an in-toto
// Statement v1 in JSON. It holds no time of its own (runDetails.metadata
// is left out): the same build gives the same bytes, so its OCI artifact
// has the same digest.
func Statement(subjects []Subject, b Build) ([]byte, error) {
	ext, err := toStruct(b.External)
	if err != nil {
		return nil, fmt.Errorf("provenance external parameters: %w", err)
	}
	in, err := toStruct(b.Internal)
	if err != nil {
		return nil, fmt.Errorf("provenance internal parameters: %w", err)
	}
	deps, err := b.Dependencies.descriptors()
	if err != nil {
		return nil, err
	}
	pred := &slsa.Provenance{
		BuildDefinition: &slsa.BuildDefinition{
			BuildType: BuildType, ExternalParameters: ext, InternalParameters: in, ResolvedDependencies: deps,
		},
		RunDetails: &slsa.RunDetails{Builder: &slsa.Builder{
			Id: BuilderID, Version: map[string]string{"cargo-berth": b.Internal.BerthVersion},
		}},
	}
	if err := pred.Validate(); err != nil {
		return nil, fmt.Errorf("provenance predicate: %w", err)
	}
	predStruct, err := messageStruct(pred)
	if err != nil {
		return nil, err
	}
	st := &intoto.Statement{Type: intoto.StatementTypeUri, PredicateType: PredicateType, Predicate: predStruct}
	for _, s := range subjects {
		digest, err := digestMap(s.Digest)
		if err != nil {
			return nil, fmt.Errorf("provenance subject %s: %w", s.Name, err)
		}
		st.Subject = append(st.Subject, &intoto.ResourceDescriptor{Name: s.Name, Digest: digest})
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("provenance statement: %w", err)
	}
	return canonical(st)
}

// canonical is m as indented JSON with sorted keys: protojson's output
// varies its spacing on purpose, and an attachment must not.
func canonical(m proto.Message) ([]byte, error) {
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding the provenance: %w", err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// toStruct is v (a struct of this package) as a protobuf Struct, through
// its JSON form.
func toStruct(v any) (*structpb.Struct, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}

// messageStruct is a message as a Struct, as a statement's predicate is.
func messageStruct(m proto.Message) (*structpb.Struct, error) {
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding the provenance predicate: %w", err)
	}
	s := &structpb.Struct{}
	if err := protojson.Unmarshal(raw, s); err != nil {
		return nil, fmt.Errorf("encoding the provenance predicate: %w", err)
	}
	return s, nil
}
