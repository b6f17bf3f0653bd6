package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"

	"github.com/nango-go/sdk/nango"
)

// maxWebhookStdin matches the cap of nango.WebhookHandler.
const maxWebhookStdin = 1 << 20

// webhookCommand: nango webhook verify.
func webhookCommand(args []string, stdin io.Reader, stdout io.Writer, getenv func(string) string) error {
	cmd := newCommand("webhook verify", "check a webhook's signature")
	cmd.about = `Checks a webhook body (stdin, the exact bytes received) against the
signature headers Nango sent with it: X-Nango-Hmac-Sha256 (--hmac-sha256)
or, when only that is missing, the older X-Nango-Signature (--signature).
The key is --secret-key or NANGO_SECRET_KEY. Exit status 0 and a summary of
the webhook when it is valid, 1 when it is not.`
	cmd.example = "  printf '%s' \"$BODY\" | nango webhook verify --hmac-sha256 \"$SIG\""
	hmacHex := cmd.flags.String("hmac-sha256", "", "the X-Nango-Hmac-Sha256 header")
	sigHex := cmd.flags.String("signature", "", "the X-Nango-Signature header (older)")
	key := cmd.flags.String("secret-key", "", "the key Nango signs with (default: env NANGO_SECRET_KEY)")
	if len(args) == 0 || args[0] != "verify" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			cmd.help(stdout)
			return errHelp
		}
		return usageError{cmd: "webhook", msg: "want verify", usage: cmd.usageLine()}
	}
	pos, err := parseArgs(cmd.flags, args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		cmd.help(stdout)
		return errHelp
	case err != nil:
		return cmd.usageError(err.Error())
	case len(pos) != 0:
		return cmd.usageError("the body is read from stdin, not from arguments")
	}
	if *key == "" {
		*key = getenv("NANGO_SECRET_KEY")
	}
	if *key == "" {
		return cmd.usageError("no key: pass --secret-key or set NANGO_SECRET_KEY")
	}
	if *hmacHex == "" && *sigHex == "" {
		return cmd.usageError("pass the signature: --hmac-sha256 (or --signature)")
	}
	header := http.Header{}
	if *hmacHex != "" {
		header.Set(nango.WebhookHMACHeader, *hmacHex)
	}
	if *sigHex != "" {
		header.Set(nango.WebhookSignatureHeader, *sigHex)
	}
	body, err := io.ReadAll(io.LimitReader(stdin, maxWebhookStdin+1))
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	if len(body) > maxWebhookStdin {
		return fmt.Errorf("the body is over %d bytes", maxWebhookStdin)
	}
	if err := nango.VerifyWebhookSignature(*key, header, body); err != nil {
		if n := len(body); n > 0 && body[n-1] == '\n' {
			// echo adds one; Nango's bodies end with "}".
			return fmt.Errorf("%w (the body on stdin ends with a newline: was it added by echo? use printf '%%s')", err)
		}
		return err
	}
	w, err := nango.ParseWebhook(body)
	if err != nil {
		return fmt.Errorf("the signature is valid, but: %w", err)
	}
	fmt.Fprintf(stdout, "valid: %v\n", w)
	return nil
}
