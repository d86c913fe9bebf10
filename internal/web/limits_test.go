package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"practica/internal/testenv"
)

// TestRateLimitsUnderParallelRequests sends each limited action one past its
// allowance at once, spread over 10 parallel connections from one address
// that claims a different X-Forwarded-For on every request (no proxy is
// trusted here): exactly the allowance gets through and the rest get 429
// (SECURITY.md R12).
func TestRateLimitsUnderParallelRequests(t *testing.T) {
	env := testenv.New(t)
	topic := env.CreateTopic(t, env.Alice, env.PublicSpace, "Where limits are tested")
	bob := env.Bob
	cases := []struct {
		name  string
		allow int
		as    *testenv.User
		ip    string
		req   func(i int) request
	}{
		{"sign-in", 10, nil, "198.51.100.1", func(i int) request {
			return request{method: "POST", path: "/signin", form: url.Values{"login": {"nobody" + strconv.Itoa(i)}, "password": {"wrong guess"}}}
		}},
		{"sign-up", 5, nil, "198.51.100.2", func(i int) request {
			return request{method: "POST", path: "/signup", form: url.Values{"username": {"newcomer" + strconv.Itoa(i)}, "email": {fmt.Sprintf("n%d@example.org", i)}, "password": {testenv.Password}}}
		}},
		{"password reset", 5, nil, "198.51.100.3", func(i int) request {
			return request{method: "POST", path: "/forgot", form: url.Values{"email": {fmt.Sprintf("someone%d@example.org", i)}}}
		}},
		{"posting", 10, bob, "198.51.100.4", func(i int) request {
			return request{method: "POST", path: fmt.Sprintf("/t/%d/replies", topic.ID), form: url.Values{"body": {fmt.Sprintf("Reply number %d, sent with the others at once.", i)}}}
		}},
		{"search", 60, nil, "198.51.100.5", func(i int) request {
			return request{path: "/search?q=limits" + strconv.Itoa(i)}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			total := c.allow + 5
			var limited, passed atomic.Int64
			var wg sync.WaitGroup
			next := atomic.Int64{}
			for range 10 {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= total {
							return
						}
						r := c.req(i)
						r.as, r.ip = c.as, c.ip
						r.header = map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i%250)}
						rec := send(t, env, r)
						if rec.Code == http.StatusTooManyRequests {
							limited.Add(1)
						} else {
							passed.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if passed.Load() != int64(c.allow) || limited.Load() != int64(total-c.allow) {
				t.Errorf("%d parallel %s requests: %d went through and %d got 429, want %d and %d",
					total, c.name, passed.Load(), limited.Load(), c.allow, total-c.allow)
			}
		})
	}
}
