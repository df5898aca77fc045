// Package e2e runs the built alluxio binary as real processes: masters
// killed with real signals, the CLI run as a user would.
package e2e

import (
	"testing"

	"github.com/alluxio-go/alluxio/tests/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }
