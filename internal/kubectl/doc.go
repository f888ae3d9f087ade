// Package kubectl runs `kubectl apply`, the one program besides cargo and
// git that berth runs; berth itself never talks to a cluster.
package kubectl
