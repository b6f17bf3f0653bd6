package contract

import (
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// ValidateJSON checks a JSON document against the named schema of
// components/schemas: for bodies no operation carries, such as the webhooks
// Nango sends.
func (v *Validator) ValidateJSON(schema string, body []byte) error {
	ref := v.doc.Components.Schemas[schema]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("contract: no schema %q in the spec", schema)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("contract: %s: not JSON: %w", schema, err)
	}
	if err := ref.Value.VisitJSON(value, openapi3.MultiErrors(), openapi3.EnableFormatValidation()); err != nil {
		return fmt.Errorf("contract: %s: %w", schema, err)
	}
	return nil
}
