// Package underfstest is the conformance suite of underfs.UnderFileSystem:
// the contract written in the interface's comments, as tests. Every
// implementation runs it from its own tests, so the master and workers can
// rely on the contract rather than on one store's habits:
//
//	func TestConformance(t *testing.T) {
//		underfstest.Run(t, func(t *testing.T) underfs.UnderFileSystem {
//			fs, err := local.New(t.TempDir(), underfs.Options{})
//			if err != nil {
//				t.Fatal(err)
//			}
//			return fs
//		})
//	}
package underfstest
