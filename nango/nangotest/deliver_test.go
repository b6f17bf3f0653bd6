package nangotest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nango-go/sdk/nango"
)

// TestDeliverWebhook: the fake's own webhooks go to the configured URL,
// signed; none is sent without one; a receiver's non-2xx is an error.
func TestDeliverWebhook(t *testing.T) {
	var got []string
	status := http.StatusOK
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := nango.VerifyWebhookSignature(DefaultSecretKey, r.Header, b); err != nil {
			t.Errorf("signature: %v", err)
		}
		got = append(got, string(b))
		w.WriteHeader(status)
	}))
	defer rcv.Close()
	f, err := NewFake(WithoutValidation())
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"type":"async_action"}`)
	if err := f.deliverWebhook(context.Background(), payload); err != nil || len(got) != 0 {
		t.Fatalf("no URL: err %v, sent %d", err, len(got))
	}
	f.SetWebhookURL(rcv.URL)
	if err := f.deliverWebhook(context.Background(), payload); err != nil || len(got) != 1 {
		t.Fatalf("with URL: err %v, sent %d", err, len(got))
	}
	status = http.StatusInternalServerError
	if err := f.deliverWebhook(context.Background(), payload); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("receiver 500: err %v", err)
	}
}
