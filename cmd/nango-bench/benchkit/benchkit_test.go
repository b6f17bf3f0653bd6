package benchkit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nango-go/sdk/nango/nangotest"
)

func TestMinimalAndLoop(t *testing.T) {
	srv := nangotest.Start(t)
	ids := IDs(2)
	for _, id := range ids {
		srv.MustPut(nangotest.OAuth2("github", id, "tok-"+id))
	}
	m := NewMinimal(srv.URL, srv.SecretKey())
	tok, err := m.GetToken(context.Background(), "github", ids[1])
	if err != nil || tok != "tok-"+ids[1] {
		t.Fatalf("%q %v", tok, err)
	}
	if _, err := m.GetToken(context.Background(), "github", "nobody"); err == nil {
		t.Error("no error for an unknown connection")
	}
	rate, err := Throughput(50*time.Millisecond, 2, func(w int) error {
		_, err := m.GetToken(context.Background(), "github", ids[w])
		return err
	})
	if err != nil || rate <= 0 {
		t.Errorf("rate %v, %v", rate, err)
	}
	boom := errors.New("boom")
	if _, err := Throughput(10*time.Millisecond, 2, func(int) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("the load's error was lost: %v", err)
	}
	allocs, err := AllocsPerCall(10, func() error { sink = make([]byte, 64<<10); return nil })
	if err != nil || allocs < 1 {
		t.Errorf("allocs %v, %v", allocs, err)
	}
}

var sink []byte
