package nangotest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
)

// webhookUserAgent is what the fake sends as User-Agent; Nango sends
// "nango/<version> (<os>; node.js/<version>)".
const webhookUserAgent = "nango/0.71.4 (nangotest)"

// SendWebhook POSTs a webhook to url as Nango does, so that a test can drive
// the handler it serves: the body is payload as JSON with sorted keys and
// without HTML escaping (Nango's serialisation), signed with the fake's
// secret key in both X-Nango-Hmac-Sha256 and X-Nango-Signature. payload is
// usually a nango.WebhookAuth, WebhookSync, WebhookForward or
// WebhookAsyncAction; a []byte or json.RawMessage is sent as is. A payload of
// a known type that breaks openapi.yaml is reported as a contract violation
// (and still sent). The caller closes the response's body.
func (f *Fake) SendWebhook(ctx context.Context, url string, payload any) (*http.Response, error) {
	body, err := webhookBody(payload)
	if err != nil {
		return nil, err
	}
	if f.validator != nil && f.report != nil {
		var env struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &env)
		switch env.Type {
		case "auth", "sync", "forward", "async_action":
			if err := f.validator.ValidateJSON("WebhookBody", body); err != nil {
				f.report(fmt.Errorf("SendWebhook: %w", err))
			}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("nangotest: SendWebhook: %w", err)
	}
	for k, v := range SignWebhook(f.secretKey, body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/plain, */*")
	req.Header.Set("User-Agent", webhookUserAgent)
	// One connection per webhook, as a test wants: nothing idle is left
	// behind for goroutine-leak checks.
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("nangotest: SendWebhook: %w", err)
	}
	return resp, nil
}

// SignWebhook returns the signature headers Nango sends with body when it
// signs with key: X-Nango-Hmac-Sha256 and the older X-Nango-Signature.
func SignWebhook(key string, body []byte) http.Header {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	sum := sha256.Sum256(append([]byte(key), body...))
	return http.Header{
		"X-Nango-Signature":   {hex.EncodeToString(sum[:])},
		"X-Nango-Hmac-Sha256": {hex.EncodeToString(mac.Sum(nil))},
	}
}

// webhookBody serialises payload the way Nango's stringifyStable does:
// object keys sorted at every level, "<", ">" and "&" left as they are.
func webhookBody(payload any) ([]byte, error) {
	switch p := payload.(type) {
	case []byte:
		return p, nil
	case json.RawMessage:
		return p, nil
	}
	first, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("nangotest: SendWebhook: payload: %w", err)
	}
	// Through a generic value, whose maps encoding/json writes sorted;
	// UseNumber keeps large integers exact.
	dec := json.NewDecoder(bytes.NewReader(first))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("nangotest: SendWebhook: payload: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, fmt.Errorf("nangotest: SendWebhook: payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
