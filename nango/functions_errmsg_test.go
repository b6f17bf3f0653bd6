package nango

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// An invalid page option of ListFunctions is reported under the name the
// caller wrote (Page, PageSize), not under a name that does not exist.
func TestListFunctionsPageErrorsNameTheOption(t *testing.T) {
	c, err := New("8c5dbb2d-5a1f-4d7c-9d5e-2f2a4c3b1e00", WithHost("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opt  FunctionOption
		want string
	}{
		{Page(-1), "Page(-1)"},
		{PageSize(0), "PageSize(0)"},
		{PageSize(101), "PageSize(101)"},
	} {
		_, err := c.ListFunctions(context.Background(), "github", tc.opt)
		if !errors.Is(err, ErrInvalidArgument) {
			t.Fatalf("%s: %v, want ErrInvalidArgument", tc.want, err)
		}
		if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "Functions") {
			t.Errorf("error %q: want it to name %s", msg, tc.want)
		}
	}
}
