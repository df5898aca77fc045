package s3

import (
	"reflect"
	"testing"

	"github.com/alluxio-go/alluxio/internal/conf"
)

// The configuration registry shows these keys' defaults (getConf, the web
// UI) and warns about unknown alluxio.underfs.s3.* names; what it shows
// must be what a store does when the key is not set.
func TestRegisteredDefaultsAreTheStores(t *testing.T) {
	keys := []string{KeyEndpoint, KeyRegion, KeyPathStyle, KeyUploadThreads, KeyPartSize, KeyStreamingUpload, KeyDefaultMode,
		KeyOwnerMapping, KeyInheritACL, KeyUploadCleanAge, KeyRequestTimeout, KeySocketTimeout, KeyMaxErrorRetry, KeyReadParallelism,
		KeyConnectionsMax, KeySecureHTTP}
	props := map[string]string{}
	for _, k := range keys {
		key, ok := conf.Lookup(k)
		if !ok {
			t.Fatalf("%s is not in the configuration registry", k)
		}
		if key.Default != "" {
			props[k] = key.Default
		}
	}
	got, err := ParseConfig("s3://bucket", props)
	if err != nil {
		t.Fatalf("the registered defaults do not parse: %v", err)
	}
	want := DefaultConfig()
	want.Bucket = "bucket"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the registered defaults give\n%+v\nthe store's defaults are\n%+v", got, want)
	}
}
