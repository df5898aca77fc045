// Command hello is built by the tests of the build helper, which must not
// depend on cmd/alluxio building at the moment.
package main

import "fmt"

func main() { fmt.Println("hello from a built binary") }
