package client

import (
	"context"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// Metric is one of the cluster's metrics, under Alluxio's name:
// Master.* from the primary, Cluster.* summed over live workers, and
// Worker.* for one worker (named by Worker).
type Metric struct {
	Name   string
	Type   string // COUNTER or GAUGE
	Value  float64
	Worker string // the worker's address for Worker.*, else ""
}

// Metrics asks the primary for the cluster's metrics, sorted by name.
func (f *FileSystem) Metrics(ctx context.Context) ([]Metric, error) {
	var out []Metric
	err := f.retry(ctx, func(ctx context.Context, c *conn) error {
		r, err := c.meta.GetMetrics(ctx, &pb.GetMetricsRequest{})
		if err != nil {
			return err
		}
		out = out[:0]
		for _, m := range r.Metrics {
			out = append(out, Metric{Name: m.Name, Type: m.Type, Value: m.Value, Worker: m.Worker})
		}
		return nil
	})
	return out, err
}
