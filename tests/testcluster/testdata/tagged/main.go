// Command tagged prints which build tags it was built with, for the test of
// goBuild's flags.
package main

import "fmt"

func main() { fmt.Println(variant) }
