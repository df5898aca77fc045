package underfs

import "testing"

func TestMaskSecrets(t *testing.T) {
	in := map[string]string{
		"s3a.accessKeyId": "AKIA", "s3a.secretKey": "s", "aws.secretKey": "s", "aws.accessKeyId": "AKIA",
		"fs.azure.account.key.password": "p", "alluxio.underfs.s3.endpoint": "http://x", "alluxio.underfs.s3.disable.dns.buckets": "true",
	}
	out := MaskSecrets(in)
	for k, v := range out {
		secret := k != "alluxio.underfs.s3.endpoint" && k != "alluxio.underfs.s3.disable.dns.buckets"
		if secret != (v == Masked) {
			t.Errorf("%s shows as %q", k, v)
		}
	}
	if in["s3a.secretKey"] != "s" {
		t.Error("MaskSecrets changed its argument")
	}
	if MaskSecrets(nil) != nil {
		t.Error("MaskSecrets(nil) is not nil")
	}
}
