package testenv

import (
	"bytes"
	"sync"
)

// Parallel calls do(0) … do(n-1) at once, released together so they race,
// and returns what each returned (HTTP statuses, usually).
func Parallel(n int, do func(i int) int) []int {
	out := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = do(i)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// Count tallies values, such as the statuses Parallel returns.
func Count(values []int) map[int]int {
	out := map[int]int{}
	for _, v := range values {
		out[v]++
	}
	return out
}

// LogBuffer collects a server's log lines from many goroutines, so a test
// can look for panics and errors in it.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Take returns what was logged since the last Take and clears it.
func (l *LogBuffer) Take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}
