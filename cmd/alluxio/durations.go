package main

import "time"

type durationValue time.Duration

func (d durationValue) d() time.Duration { return time.Duration(d) }
