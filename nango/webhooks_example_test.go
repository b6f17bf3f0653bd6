package nango_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/nango-go/sdk/nango"
)

// A webhook a real Nango sent, and the throwaway key that signed it.
const (
	exampleKey  = "fa9d9cba-e7be-4192-896f-c7de4454b885"
	exampleBody = `{"authMode":"API_KEY","connectionId":"wh-import-380","environment":"dev","from":"nango","operation":"creation","provider":"sendgrid","providerConfigKey":"sendgrid","success":true,"tags":{"end_user_id":"eu-380"},"type":"auth"}`
	exampleHMAC = "0e3df51338c2e37bbc5fc88fd728785479f8dcca18ca96b1a376b5044e17e32d"
)

func ExampleClient_VerifyWebhook() {
	client, err := nango.New(exampleKey)
	if err != nil {
		log.Fatal(err)
	}
	header := http.Header{"X-Nango-Hmac-Sha256": {exampleHMAC}}
	fmt.Println(client.VerifyWebhook(header, []byte(exampleBody)))

	tampered := bytes.Replace([]byte(exampleBody), []byte("creation"), []byte("override"), 1)
	err = client.VerifyWebhook(header, tampered)
	fmt.Println(errors.Is(err, nango.ErrInvalidSignature), err)
	// Output:
	// <nil>
	// true nango: invalid webhook signature: X-Nango-Hmac-Sha256 does not match the body
}

func ExampleParseWebhook() {
	w, err := nango.ParseWebhook([]byte(exampleBody))
	if err != nil {
		log.Fatal(err)
	}
	switch w.Type {
	case nango.WebhookTypeAuth:
		if w.Auth.Operation == nango.WebhookAuthCreation && w.Auth.Success {
			fmt.Println("new connection", w.Auth.ProviderConfigKey, w.Auth.ConnectionID, "for", w.Auth.Tags["end_user_id"])
		}
	case nango.WebhookTypeSync:
		// fetch the changed records of w.Sync.Model
	default:
		// a kind this program does not handle: acknowledge it
	}
	// Output: new connection sendgrid wh-import-380 for eu-380
}

func ExampleClient_WebhookHandler() {
	client, err := nango.New(exampleKey)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/nango", client.WebhookHandler(func(ctx context.Context, w nango.Webhook) error {
		fmt.Println("received:", w)
		// An error here answers 500, and Nango delivers the webhook again.
		return nil
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// What Nango does:
	for _, sig := range []string{exampleHMAC, "00" + exampleHMAC[2:]} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/nango", bytes.NewReader([]byte(exampleBody)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Nango-Hmac-Sha256", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	// Output:
	// received: auth creation sendgrid/wh-import-380 success=true
	// 204 No Content
	// 401 Unauthorized
}
