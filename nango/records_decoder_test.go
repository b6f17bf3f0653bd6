package nango

import "testing"

// TestRecordDecodeReusesDecoders: Decode keeps its json.Decoder from record
// to record; a record after one with trailing spaces, or after one with
// trailing garbage, still decodes, and the garbage is an error. Under
// GOEXPERIMENT=jsonv2 (CI runs this test that way too), a decoder that had
// looked past its record kept the end of its input and failed the next one.
func TestRecordDecodeReusesDecoders(t *testing.T) {
	type issue struct {
		ID     string `json:"id"`
		Number int    `json:"number"`
	}
	rec := func(s string) Record { return Record{ID: "1", Raw: []byte(s)} }
	for i := range 50 {
		var is issue
		if err := rec(`{"id":"1","number":1}`).Decode(&is); err != nil || is.Number != 1 {
			t.Fatalf("round %d, plain: %v %+v", i, err, is)
		}
		if err := rec(`{"id":"1","number":2}` + " \n\t").Decode(&is); err != nil || is.Number != 2 {
			t.Fatalf("round %d, trailing spaces: %v %+v", i, err, is)
		}
		if err := rec(`{"id":"1","number":9} x`).Decode(&is); err == nil {
			t.Fatalf("round %d: trailing garbage taken", i)
		}
		if err := rec(`{"id":"1","number":3}`).Decode(&is); err != nil || is.Number != 3 {
			t.Fatalf("round %d, after the others: %v %+v", i, err, is)
		}
	}
}
