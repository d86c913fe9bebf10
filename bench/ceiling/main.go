// Command ceiling is the yardstick bench/perf.sh measures Practica against:
// a bare net/http server answering GET /SIZE with a fixed HTML page of SIZE
// bytes, built once per size. Whatever a page costs beyond this is
// Practica's own work; ratios to it hold across machines where absolute
// numbers do not.
//
//	go run ./bench/ceiling -addr 127.0.0.1:18090
//	curl -s 127.0.0.1:18090/20000 | wc -c   # 20000
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
)

// maxSize bounds the pages, so a stray request cannot fill memory.
const maxSize = 8 << 20

func main() {
	addr := flag.String("addr", "127.0.0.1:18090", "loopback address to listen on")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if ip, perr := netip.ParseAddr(host); err != nil || perr != nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "ceiling: %q: want a loopback host:port (load stays on this machine)\n", *addr)
		os.Exit(2)
	}
	var pages sync.Map // size → []byte
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{size}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("size"))
		if err != nil || n < 0 || n > maxSize {
			http.Error(w, "want GET /SIZE with 0 <= SIZE <= 8 MiB", http.StatusBadRequest)
			return
		}
		p, ok := pages.Load(n)
		if !ok {
			p, _ = pages.LoadOrStore(n, page(n))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "private, no-cache")
		w.Write(p.([]byte))
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// page is an HTML document of exactly n bytes (at least its frame).
func page(n int) []byte {
	const head, tail = "<!doctype html><html><head><title>ceiling</title></head><body>\n", "</body></html>\n"
	var b strings.Builder
	b.WriteString(head)
	line := "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n"
	for b.Len()+len(line)+len(tail) <= n {
		b.WriteString(line)
	}
	for b.Len()+len(tail) < n {
		b.WriteByte(' ')
	}
	b.WriteString(tail)
	return []byte(b.String())
}
