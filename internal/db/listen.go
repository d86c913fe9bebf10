package db

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen receives PostgreSQL notifications on channel until ctx ends, on a
// connection of its own, reconnecting after a failure. up(true) is called
// once it is listening and up(false) when the connection is lost, since
// notifications sent meanwhile are missed: whoever relies on them must
// stop trusting what they would have changed. On SQLite there is one
// process and nothing to hear; Listen returns at once.
func (d *DB) Listen(ctx context.Context, channel string, up func(bool), fn func(payload string)) {
	if d.Dialect != Postgres {
		return
	}
	wait := time.Second
	for ctx.Err() == nil {
		err := d.listenOnce(ctx, channel, func() { wait = time.Second; up(true) }, fn)
		up(false)
		if ctx.Err() != nil {
			return
		}
		_ = err // the caller sees the outage through up(false); retrying is all there is to do
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func (d *DB) listenOnce(ctx context.Context, channel string, ready func(), fn func(string)) error {
	conn, err := pgx.Connect(ctx, d.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		fn(n.Payload)
	}
}
