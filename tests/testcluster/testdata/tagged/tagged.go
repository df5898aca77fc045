//go:build testclustertag

package main

const variant = "tagged"
