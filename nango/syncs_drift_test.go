package nango

import "github.com/nango-go/sdk/gen"

// The answer types of the sync operations, for TestCapturedFieldsHaveGenFields
// (added here, beside the other areas' own files, rather than in its table).
func init() {
	for op, newAnswer := range map[string]func() any{
		"POST /sync/trigger":                    func() any { return new(gen.Success) },
		"POST /sync/pause":                      func() any { return new(gen.Success) },
		"POST /sync/start":                      func() any { return new(gen.Success) },
		"GET /sync/status":                      func() any { return new(gen.SyncStatusResponse) },
		"PUT /sync/update-connection-frequency": func() any { return new(gen.SyncFrequencyResponse) },
		"POST /sync/{name}/variant/{variant}":   func() any { return new(gen.SyncVariantResponse) },
		"DELETE /sync/{name}/variant/{variant}": func() any { return new(gen.Success) },
	} {
		answerTypes[op] = newAnswer
	}
}
