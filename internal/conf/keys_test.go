package conf

import (
	"strings"
	"testing"
)

// compatDefaults is COMPAT.md's key table with this project's defaults;
// the failover keys differ from Alluxio on purpose.
var compatDefaults = map[string]string{
	MasterJournalType:                       "EMBEDDED",
	MasterJournalFolder:                     "${alluxio.work.dir}/journal",
	MasterJournalCheckpointPeriodEntries:    "2000000",
	MasterJournalLogSizeBytesMax:            "10MB",
	MasterJournalFlushBatchTime:             "100ms",
	MasterJournalFlushTimeout:               "5min",
	MasterJournalTailerSleepTime:            "100ms",
	ZookeeperEnabled:                        "false",
	ZookeeperAddress:                        "",
	ZookeeperElectionPath:                   "/alluxio/election",
	ZookeeperLeaderPath:                     "/alluxio/leader",
	ZookeeperSessionTimeout:                 "5s",
	ZookeeperConnectionTimeout:              "15s",
	ZookeeperLeaderInquiryRetry:             "10",
	MasterEmbeddedJournalAddresses:          "",
	MasterEmbeddedJournalPort:               "19200",
	MasterEmbeddedJournalElectionTimeoutMin: "500ms",
	MasterEmbeddedJournalElectionTimeoutMax: "1s",
	MasterRPCAddresses:                      "",
	MasterHostname:                          "",
	MasterRPCPort:                           "19998",
	MasterWebPort:                           "19999",
	MasterMountTableRootUFS:                 "${alluxio.work.dir}/underFSStorage",
	MasterWorkerTimeout:                     "5min",
	MasterTTLCheckerInterval:                "1hour",
	MasterRetryCacheEnabled:                 "true",
	MasterRetryCacheSize:                    "100000",
	WorkerHostname:                          "",
	WorkerRPCPort:                           "29999",
	WorkerWebPort:                           "30000",
	WorkerTieredstoreLevels:                 "1",
	TierKey(0, "alias"):                     "MEM",
	TierKey(0, "dirs.path"):                 "/mnt/ramdisk",
	TierKey(0, "dirs.quota"):                "${alluxio.worker.ramdisk.size}",
	WorkerRamdiskSize:                       "1GB",
	WorkerBlockHeartbeatInterval:            "1sec",
	UserFileWriteTypeDefault:                "ASYNC_THROUGH",
	UserFileReadTypeDefault:                 "CACHE",
	UserBlockSizeBytesDefault:               "64MB",
	UserFileMetadataLoadType:                "ONCE",
	UserFileMetadataSyncInterval:            "-1",
	UserFileCreateTTL:                       "-1",
	UserFileCreateTTLAction:                 "FREE",
	UserRPCRetryBaseSleep:                   "50ms",
	UserRPCRetryMaxSleep:                    "3sec",
	UserRPCRetryMaxDuration:                 "2min",
	SecurityAuthenticationType:              "SIMPLE",
	SecurityAuthorizationPermissionEnabled:  "true",
	ProxyWebPort:                            "39999",
	// From the brief beyond the table.
	Home:                                     "/opt/alluxio",
	WorkDir:                                  "${alluxio.home}",
	LogsDir:                                  "${alluxio.work.dir}/logs",
	MasterMetastore:                          "HEAP",
	MasterLostWorkerDetectionInterval:        "10sec",
	UserShortCircuitEnabled:                  "true",
	UserFileBufferBytes:                      "8MB",
	UserStreamingDataTimeout:                 "30sec",
	SecurityAuthorizationPermissionUmask:     "022",
	JobMasterRPCPort:                         "20001",
	TierKey(2, "watermark.high.ratio"):       "0.95",
	MasterJournalTailerShutdownQuietWaitTime: "5sec",
}

func TestCompatKeys(t *testing.T) {
	for name, want := range compatDefaults {
		k, ok := Lookup(name)
		if !ok {
			t.Errorf("%s not in registry", name)
			continue
		}
		if k.Default != want {
			t.Errorf("%s default = %q, want %q", name, k.Default, want)
		}
	}
	for _, name := range []string{ZookeeperSessionTimeout, MasterEmbeddedJournalElectionTimeoutMin,
		MasterEmbeddedJournalElectionTimeoutMax, MasterMetastore, MasterJournalTailerSleepTime} {
		if k, _ := Lookup(name); !strings.Contains(k.Doc, "Alluxio's default") {
			t.Errorf("%s Doc does not give Alluxio's default: %q", name, k.Doc)
		}
	}
}

func TestRegistryWellFormed(t *testing.T) {
	keys := Keys()
	if len(keys) < 100 {
		t.Errorf("only %d keys", len(keys))
	}
	for i, k := range keys {
		if i > 0 && keys[i-1].Name >= k.Name {
			t.Errorf("Keys not sorted at %s", k.Name)
		}
		if !strings.HasPrefix(k.Name, "alluxio.") {
			t.Errorf("%s: not an alluxio key", k.Name)
		}
		if k.Doc == "" {
			t.Errorf("%s: no Doc", k.Name)
		}
		if (k.Type == TypeEnum) != (len(k.Enum) > 0) {
			t.Errorf("%s: type %v with Enum %v", k.Name, k.Type, k.Enum)
		}
		if k.Type == TypeEnum && !contains(k.Enum, k.Default) {
			t.Errorf("%s: default %q not in %v", k.Name, k.Default, k.Enum)
		}
		if got, ok := Lookup(k.Name); !ok || got.Name != k.Name {
			t.Errorf("Lookup(%s) = %v, %v", k.Name, got, ok)
		}
		if k.Type == TypeDuration && strings.HasPrefix(k.Default, "-") && !k.allowsNegative() {
			t.Errorf("%s: negative default but Doc does not explain -1", k.Name)
		}
	}
}

func TestTierPattern(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		def  string
		typ  KeyType
	}{
		{"alluxio.worker.tieredstore.level0.alias", true, "MEM", TypeString},
		{"alluxio.worker.tieredstore.level1.alias", true, "SSD", TypeString},
		{"alluxio.worker.tieredstore.level2.dirs.path", true, "/mnt/hdd", TypeList},
		{"alluxio.worker.tieredstore.level7.alias", true, "", TypeString},
		{"alluxio.worker.tieredstore.level12.watermark.low.ratio", true, "0.7", TypeRatio},
		{"alluxio.worker.tieredstore.level3.dirs.mediumtype", true, "${alluxio.worker.tieredstore.level3.alias}", TypeList},
		{"alluxio.worker.tieredstore.level01.alias", false, "", 0},
		{"alluxio.worker.tieredstore.level-1.alias", false, "", 0},
		{"alluxio.worker.tieredstore.level.alias", false, "", 0},
		{"alluxio.worker.tieredstore.level0.nope", false, "", 0},
		{"alluxio.worker.tieredstore.level0", false, "", 0},
		{"alluxio.worker.tieredstore.levelx.alias", false, "", 0},
	}
	for _, tt := range tests {
		k, ok := Lookup(tt.name)
		if ok != tt.ok || (ok && (k.Default != tt.def || k.Type != tt.typ || k.Name != tt.name)) {
			t.Errorf("Lookup(%s) = %+v, %v", tt.name, k, ok)
		}
	}
}

func TestEnvName(t *testing.T) {
	if got := EnvName(MasterHostname); got != "ALLUXIO_MASTER_HOSTNAME" {
		t.Errorf("EnvName = %q", got)
	}
	if got := EnvName(TierKey(0, "dirs.path")); got != "ALLUXIO_WORKER_TIEREDSTORE_LEVEL0_DIRS_PATH" {
		t.Errorf("EnvName = %q", got)
	}
}

func TestKeyTypeString(t *testing.T) {
	if TypeDuration.String() != "duration" || KeyType(99).String() != "KeyType(99)" {
		t.Error("KeyType.String")
	}
}
