// Package config loads Practica's settings: defaults, then PRACTICA_* environment
// variables, then command-line flags. Nothing reads the environment after start.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is every setting the server needs.
type Config struct {
	// Addr is the listen address.
	Addr string
	// DatabaseURL is a postgres:// URL or a SQLite file path.
	DatabaseURL string
	// BaseURL is the public address, used in emailed links.
	BaseURL string
	// SMTPURL delivers mail (smtp://user:pass@host:port?from=addr); empty keeps mail in the outbox.
	SMTPURL string
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// Dev serves static files from disk.
	Dev bool
	// LogFormat is "text" or "json".
	LogFormat string
	// DebugAddr, when set, is a loopback address where profiles
	// (net/http/pprof) and runtime stats are served to operators.
	DebugAddr string
	// PageCacheMB caps the memory of rendered pages kept for guests; 0 turns
	// the cache off.
	PageCacheMB int
}

// Setting documents one setting for --help and the README.
type Setting struct{ Env, Flag, Default, Help string }

// Settings lists every setting, in the order --help shows them.
var Settings = []Setting{
	{"PRACTICA_ADDR", "addr", "127.0.0.1:8080", "address to listen on"},
	{"PRACTICA_DATABASE_URL", "database", "./data/practica.db", "SQLite file path, or postgres://user@host/db for PostgreSQL"},
	{"PRACTICA_BASE_URL", "base-url", "http://<addr>", "public address used in emailed links"},
	{"PRACTICA_SMTP_URL", "smtp", "", "smtp://user:pass@host:587?from=addr; empty keeps mail in the admin outbox"},
	{"PRACTICA_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated CIDRs whose X-Forwarded-For is trusted"},
	{"PRACTICA_LOG_FORMAT", "log-format", "text", "log format: text or json"},
	{"PRACTICA_DEV", "dev", "false", "serve static files from disk (development)"},
	{"PRACTICA_PAGE_CACHE_MB", "page-cache-mb", "32", "megabytes of rendered pages kept for visitors who are not signed in; 0: off"},
	{"PRACTICA_DEBUG_ADDR", "debug-addr", "", "loopback address serving /debug/pprof/ and /debug/vars to operators, e.g. 127.0.0.1:6060; empty: off"},
}

// Load reads settings from getenv and args; every problem is reported at once.
func Load(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	vals := map[string]*string{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range Settings {
		def := getenv(s.Env)
		if def == "" && !strings.Contains(s.Default, "<") {
			def = s.Default
		}
		vals[s.Flag] = fs.String(s.Flag, def, s.Help+" ($"+s.Env+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: practica %s [flags]\n\nFlags (each also read from its environment variable):\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	c := Config{Addr: *vals["addr"], DatabaseURL: *vals["database"], BaseURL: *vals["base-url"], SMTPURL: *vals["smtp"],
		Dev: *vals["dev"] == "true" || *vals["dev"] == "1", LogFormat: *vals["log-format"], DebugAddr: *vals["debug-addr"]}
	return c, c.finish(*vals["trusted-proxies"], *vals["page-cache-mb"])
}

func (c *Config) finish(proxies, cacheMB string) error {
	var errs []error
	if n, err := strconv.Atoi(cacheMB); err != nil || n < 0 || n > 1<<20 {
		errs = append(errs, fmt.Errorf("page-cache-mb %q: want a whole number of megabytes, 0 or more", cacheMB))
	} else {
		c.PageCacheMB = n
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: want host:port", c.Addr))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("base-url %q: want http(s)://host", c.BaseURL))
	}
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("database: empty"))
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || u.Scheme != "smtp" || u.Host == "" {
			errs = append(errs, errors.New("smtp: want smtp://user:pass@host:port"))
		}
	}
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("trusted-proxies: %q is not a CIDR", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, pfx)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q: want text or json", c.LogFormat))
	}
	if c.DebugAddr != "" {
		if err := CheckLoopback(c.DebugAddr); err != nil {
			errs = append(errs, fmt.Errorf("debug-addr: %w", err))
		}
	}
	return errors.Join(errs...)
}

// CheckLoopback accepts only a host:port whose host is a loopback address
// (127.0.0.0/8, ::1) or "localhost". Profiles show memory contents and cost
// CPU, so they are for operators on the machine, never for the network.
func CheckLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("%q: want host:port, e.g. 127.0.0.1:6060", addr)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address: the debug listener serves profiles and must stay on this machine (use 127.0.0.1:PORT or [::1]:PORT; reach it from elsewhere through an SSH tunnel)", addr)
	}
	return nil
}

// SQLitePath returns the file of a SQLite database URL, or "" for PostgreSQL.
func (c Config) SQLitePath() string {
	if strings.HasPrefix(c.DatabaseURL, "postgres") {
		return ""
	}
	return filepath.Clean(strings.TrimPrefix(strings.TrimPrefix(c.DatabaseURL, "sqlite:"), "file:"))
}

// Redacted returns the database URL without its password, for logs.
func Redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Getenv is os.Getenv, named for callers that pass the environment in.
var Getenv = os.Getenv
