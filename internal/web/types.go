package web

import (
	"time"

	pb "github.com/alluxio-go/alluxio/api/alluxiopb"
)

// MasterInfo is the master's Overview page and /api/v1/master/info. A
// standby fills in what it knows itself (its role, journal position,
// configuration) and names the leader; the cluster's workers and
// capacity are known to the leader only.
type MasterInfo struct {
	ClusterID   string         `json:"clusterId"`
	RPCAddress  string         `json:"rpcAddress"`
	Role        string         `json:"role"` // PRIMARY or STANDBY
	Leader      string         `json:"leaderAddress"`
	LeaderWeb   string         `json:"leaderWebAddress"` // host:port of the leader's web UI, "" when unknown
	JournalType string         `json:"journalType"`
	Version     string         `json:"version"`
	StartTime   time.Time      `json:"-"`
	StartTimeMs int64          `json:"startTimeMs"`
	UptimeMs    int64          `json:"uptimeMs"`
	Masters     []MasterStatus `json:"masters"`
	Files       int            `json:"files"`
	Directories int            `json:"directories"`
	// Cluster is false on a standby: the fields below are then empty.
	Cluster      bool          `json:"clusterKnown"`
	Capacity     Usage         `json:"capacity"`
	TierCapacity []TierUsage   `json:"tierCapacity"`
	LiveWorkers  int           `json:"liveWorkers"`
	LostWorkers  int           `json:"lostWorkers"`
	Workers      []*WorkerInfo `json:"workers,omitempty"`
	MountPoints  []MountInfo   `json:"mountPoints,omitempty"`
}

// MasterStatus is one master of the cluster as the serving master sees it.
type MasterStatus struct {
	Address     string `json:"address"`
	WebAddress  string `json:"webAddress,omitempty"`
	Role        string `json:"role"` // PRIMARY, STANDBY or UNAVAILABLE
	LastApplied uint64 `json:"lastAppliedSequence"`
	// Lag is how many entries this master is behind the leader (0 for the
	// leader; -1 when it did not answer).
	Lag int64 `json:"lag"`
}

// Usage is a capacity and how much of it is used, in bytes.
type Usage struct {
	Total int64 `json:"total"`
	Used  int64 `json:"used"`
}

// Free is what is left.
func (u Usage) Free() int64 { return max(u.Total-u.Used, 0) }

// Percent is the used share, 0 to 100.
func (u Usage) Percent() int {
	if u.Total <= 0 {
		return 0
	}
	return int(u.Used * 100 / u.Total)
}

// TierUsage is the capacity of one storage tier (MEM, SSD, HDD).
type TierUsage struct {
	Alias string `json:"alias"`
	Usage
	Dirs []string `json:"dirs,omitempty"`
}

// WorkerInfo is one worker as the leader knows it.
type WorkerInfo struct {
	ID          int64       `json:"id"`
	Address     string      `json:"address"`
	WebAddress  string      `json:"webAddress"`
	State       string      `json:"state"` // LIVE or LOST
	LastContact time.Time   `json:"lastContact"`
	Started     time.Time   `json:"started"`
	Capacity    Usage       `json:"capacity"`
	Tiers       []TierUsage `json:"tiers"`
	Blocks      int64       `json:"blockCount"`
}

// MountInfo is one mount point; secret options are masked.
type MountInfo struct {
	AlluxioPath string            `json:"alluxioPath"`
	UfsURI      string            `json:"ufsUri"`
	ReadOnly    bool              `json:"readOnly"`
	Shared      bool              `json:"shared"`
	Mode        string            `json:"ufsMode,omitempty"` // readWrite, readOnly or noAccess ("" for readWrite)
	Pending     int64             `json:"pendingUfsOperations"`
	Options     map[string]string `json:"properties"`
}

// Property is one configuration property as the process resolved it.
type Property struct {
	Name   string `json:"name"`
	Value  string `json:"value"`  // secrets masked
	Source string `json:"source"` // default, site file, environment, -D flag...
}

// Metric is one metric under Alluxio's name (Master.FilesCreated); Labels
// tell apart series of one name (a worker's address).
type Metric struct {
	Name   string            `json:"name"`
	Type   string            `json:"type"` // COUNTER or GAUGE
	Value  float64           `json:"value"`
	Labels map[string]string `json:"labels,omitempty"`
}

// Listing is one page of a directory, or a file alone.
type Listing struct {
	// Self is the path listed: a directory, or the file shown.
	Self    *pb.FileInfo
	Entries []*pb.FileInfo
	// Next is the name to list after for the next page; "" on the last.
	Next string
}

// WorkerStatus is the worker's Overview and /api/v1/worker/info.
type WorkerStatus struct {
	Address     string      `json:"rpcAddress"`
	ID          int64       `json:"id"`
	Version     string      `json:"version"`
	StartTime   time.Time   `json:"-"`
	StartTimeMs int64       `json:"startTimeMs"`
	UptimeMs    int64       `json:"uptimeMs"`
	Capacity    Usage       `json:"capacity"`
	Tiers       []TierUsage `json:"tierCapacity"`
	Blocks      int         `json:"blockCount"`
	Masters     []string    `json:"masters"`
}

// FileRef is a file's length and blocks, for a worker's Blocks page.
type FileRef struct {
	Length, BlockSize int64
	BlockIDs          []int64
}

// CachedBlock is a block in a worker's cache.
type CachedBlock struct {
	ID     int64  `json:"id"`
	FileID int64  `json:"fileId"`
	Length int64  `json:"length"`
	Tier   string `json:"tier"`
}
