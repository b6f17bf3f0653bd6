package nango

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestTagFilterChecked: a tag filter Nango would refuse, or that would reach
// it changed (invalid UTF-8 becomes U+FFFD on the way), is refused before
// anything is sent.
func TestTagFilterChecked(t *testing.T) {
	h := setup(t, jsonBody(200, `{"connections":[]}`))
	for _, tc := range []struct {
		name, key, value string
		ok               bool
	}{
		{"plain", "team", "core", true},
		{"mixed case and punctuation", "Team.sub/x_y-z", "a b", true},
		{"invalid UTF-8 value", "team", "c\xffre", false},
		{"invalid UTF-8 key", "te\xffam", "core", false},
		{"key starting with a digit", "1team", "core", false},
		{"key with a space", "my team", "core", false},
		{"empty key", "", "core", false},
		{"key over 64 characters", strings.Repeat("k", 65), "core", false},
		{"empty value", "team", "", false},
		{"value over 255 characters", "team", strings.Repeat("v", 256), false},
		{"control character in the value", "team", "co\x01re", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.requests())
			_, err := h.client.ListConnections(context.Background(), FilterTag(tc.key, tc.value))
			sent := len(h.requests()) > before
			if tc.ok {
				if err != nil || !sent {
					t.Errorf("err = %v, sent %t", err, sent)
				}
				return
			}
			if !errors.Is(err, ErrInvalidArgument) || sent {
				t.Errorf("err = %v, sent %t: want ErrInvalidArgument and nothing sent", err, sent)
			}
		})
	}
}
