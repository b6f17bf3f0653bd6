// Command nango-bench measures GetToken: this SDK against a minimal
// hand-written net/http client and against Nango's official Node SDK, all
// calling one local `nango serve` (run as its own process, contract checks
// off). It prints a table of calls per second, ratios and allocations, and
// stops by itself (about 30 s, plus an npm install the first time).
//
//	go run ./cmd/nango-bench [-seconds 3] [-skip-node] [-records]
//
// With -records it compares reading records instead: AllRecords + Decode,
// a hand-written loop and the Node SDK's listRecords loop (records.go).
package main

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/nango-go/sdk/cmd/nango-bench/benchkit"
	"github.com/nango-go/sdk/nango"
	"github.com/nango-go/sdk/nango/nangotest"
)

//go:embed load.mjs
var loadScript []byte

const workers = 64

func main() {
	seconds := flag.Float64("seconds", 3, "length of each measurement")
	skipNode := flag.Bool("skip-node", false, "do not measure the Node SDK")
	records := flag.Bool("records", false, "measure reading records (AllRecords) instead of GetToken")
	flag.Parse()
	bench := run
	if *records {
		bench = runRecords
	}
	if err := bench(os.Stdout, time.Duration(*seconds*float64(time.Second)), *skipNode); err != nil {
		fmt.Fprintln(os.Stderr, "nango-bench:", err)
		os.Exit(1)
	}
}

type row struct {
	name   string
	conc   int
	rate   float64
	allocs float64
	note   string
}

func run(w io.Writer, d time.Duration, skipNode bool) error {
	tmp, err := os.MkdirTemp("", "nango-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	host, key, stop, err := startServer(tmp)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(w, "server: nango serve (own process, validation off) at %s\n", host)
	fmt.Fprintf(w, "machine: %s, %d CPUs, %s %s/%s\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)

	ids := benchkit.IDs(workers)
	ctx := context.Background()
	minimal := benchkit.NewMinimal(host, key)
	// The SDK as users get it (coalescing of identical reads on), and with
	// coalescing off; each worker reads its own connection, so nothing is
	// merged and the rows compare the cost of the code.
	sdk, err := nango.New(key, nango.WithHost(host))
	if err != nil {
		return err
	}
	sdkNoCoalesce, _ := nango.New(key, nango.WithHost(host), nango.WithCoalescing(false))

	minimalCall := func(w int) error { _, err := minimal.GetToken(ctx, "github", ids[w]); return err }
	sdkCall := func(w int) error { _, err := sdk.GetToken(ctx, "github", ids[w]); return err }
	noCoalesceCall := func(w int) error { _, err := sdkNoCoalesce.GetToken(ctx, "github", ids[w]); return err }

	var rows []row
	measure := func(name string, conc int, fn func(int) error) (float64, error) {
		// Alternate short rounds so that drift in the machine's load hits
		// both clients alike.
		rate, err := benchkit.Throughput(d, conc, fn)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		return rate, nil
	}
	allocs := func(fn func(int) error) float64 {
		a, _ := benchkit.AllocsPerCall(2000, func() error { return fn(0) })
		return a
	}
	aMin, aSDK, aNoCoalesce := allocs(minimalCall), allocs(sdkCall), allocs(noCoalesceCall)
	results := map[string]float64{}
	for _, conc := range []int{1, 16} {
		for round := 0; round < 2; round++ {
			for _, c := range []struct {
				name string
				fn   func(int) error
			}{{"minimal", minimalCall}, {"sdk", sdkCall}, {"nocoalesce", noCoalesceCall}} {
				r, err := measure(c.name, conc, c.fn)
				if err != nil {
					return err
				}
				results[fmt.Sprintf("%s/%d", c.name, conc)] += r / 2
			}
		}
		rows = append(rows,
			row{"minimal net/http + encoding/json", conc, results[fmt.Sprintf("minimal/%d", conc)], aMin, ""},
			row{"nango-go GetToken (default)", conc, results[fmt.Sprintf("sdk/%d", conc)], aSDK, "coalescing on"},
			row{"nango-go GetToken, coalescing off", conc, results[fmt.Sprintf("nocoalesce/%d", conc)], aNoCoalesce, ""})
	}

	nodeRate := 0.0
	if !skipNode {
		nodeRate, err = nodeThroughput(host, key, d, 16)
		if err != nil {
			fmt.Fprintf(w, "node SDK skipped: %v\n\n", err)
		} else {
			rows = append(rows, row{"@nangohq/node getToken", 16, nodeRate, 0, "own process"})
		}
	}

	fmt.Fprintf(w, "%-36s %5s %12s %14s\n", "client", "conc", "calls/s", "allocs/call")
	for _, r := range rows {
		a := "-"
		if r.allocs > 0 {
			a = fmt.Sprintf("%.0f", r.allocs)
		}
		fmt.Fprintf(w, "%-36s %5d %12.0f %14s  %s\n", r.name, r.conc, r.rate, a, r.note)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "GetToken (default) / minimal, concurrency 1:  %.2f (target >= 0.90)\n", results["sdk/1"]/results["minimal/1"])
	fmt.Fprintf(w, "GetToken (default) / minimal, concurrency 16: %.2f (target >= 0.90)\n", results["sdk/16"]/results["minimal/16"])
	fmt.Fprintf(w, "GetToken, coalescing off / minimal, conc 16:  %.2f\n", results["nocoalesce/16"]/results["minimal/16"])
	fmt.Fprintf(w, "allocations / minimal:              %.2f (target <= 2)\n", aSDK/aMin)
	if nodeRate > 0 {
		fmt.Fprintf(w, "GetToken / Node SDK, concurrency 16: %.2f (target >= 5)\n", results["sdk/16"]/nodeRate)
	}
	return nil
}

// startServer builds cmd/nango and runs `nango serve` seeded with one
// connection per worker.
func startServer(tmp string) (host, key string, stop func(), err error) {
	bin := filepath.Join(tmp, "nango")
	build := exec.Command("go", "build", "-o", bin, "github.com/nango-go/sdk/cmd/nango")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return "", "", nil, fmt.Errorf("go build cmd/nango (run inside the repository): %w", err)
	}
	var conns []any
	for _, id := range benchkit.IDs(workers) {
		conns = append(conns, nangotest.OAuth2("github", id, "tok-"+id))
	}
	data, _ := json.Marshal(conns)
	seed := filepath.Join(tmp, "connections.json")
	if err := os.WriteFile(seed, data, 0o600); err != nil {
		return "", "", nil, err
	}
	key = nangotest.DefaultSecretKey
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--data", seed, "--no-validate")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		cancel()
		return "", "", nil, err
	}
	stop = func() { cancel(); _ = cmd.Wait() }
	sc := bufio.NewScanner(out)
	deadline := time.AfterFunc(30*time.Second, cancel)
	defer deadline.Stop()
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "fake Nango listening on "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return strings.TrimSpace(rest), key, stop, nil
		}
	}
	stop()
	return "", "", nil, errors.New("nango serve did not start")
}

// nodeSDKDir returns a directory where @nangohq/node is installed (in the
// user cache, installed with npm the first time).
func nodeSDKDir() (string, error) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return "", fmt.Errorf("%s not installed", tool)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "nango-go", "node-sdk")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@nangohq", "node")); err != nil {
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"nango-go-node-sdk-check","private":true,"type":"module"}`), 0o644)
		install := exec.Command("npm", "install", "--no-audit", "--no-fund", "--silent", "@nangohq/node@0.71.10")
		install.Dir = dir
		if out, err := install.CombinedOutput(); err != nil {
			return "", fmt.Errorf("npm install @nangohq/node: %v: %s", err, out)
		}
	}
	return dir, nil
}

func nodeThroughput(host, key string, d time.Duration, conc int) (float64, error) {
	var res struct {
		CallsPerSecond float64 `json:"callsPerSecond"`
	}
	err := runNodeScript("nango-bench-load.mjs", loadScript, &res, host, key, fmt.Sprint(d.Seconds()), fmt.Sprint(conc))
	return res.CallsPerSecond, err
}

// runNodeScript runs a benchmark script with node beside @nangohq/node and
// decodes the JSON it prints into out.
func runNodeScript(name string, script []byte, out any, args ...string) error {
	dir, err := nodeSDKDir()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, script, 0o644); err != nil {
		return err
	}
	cmd := exec.Command("node", append([]string{path}, args...)...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("node output %q: %w", b, err)
	}
	return nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
