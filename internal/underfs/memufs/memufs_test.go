package memufs_test

import (
	"testing"

	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/memufs"
	"github.com/alluxio-go/alluxio/internal/underfs/underfstest"
)

func TestConformance(t *testing.T) {
	underfstest.Run(t, func(t *testing.T) underfs.UnderFileSystem {
		return memufs.New("mem://" + t.Name())
	})
}
