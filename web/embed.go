// Package web holds the browser UI: plain JavaScript modules, CSS and the
// vendored map library, embedded into the binary (no build step).
package web

import "embed"

// FS is the UI's files: index.html, app/*.js, style.css, vendor/.
//
//go:embed index.html style.css app vendor
var FS embed.FS
