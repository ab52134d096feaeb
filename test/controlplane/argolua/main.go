// Command argo-health runs a resource health script the way the Argo CD application
// controller does, with Argo CD's own Lua VM (github.com/argoproj/argo-cd/v3/util/lua,
// VM.ExecuteHealthLua: gopher-lua, Lua 5.1, only the package, base, table and safe os
// libraries unless the override sets useOpenLibs, the resource as the global obj).
//
//	usage: argo-health HEALTH_SCRIPT OBJECT_JSON
//
// Prints "status=<status>\nmessage=<message>\n", or fails with Argo CD's error.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/argoproj/argo-cd/v3/util/lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: argo-health HEALTH_SCRIPT OBJECT_JSON")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	data, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	obj := &unstructured.Unstructured{}
	if err := json.Unmarshal(data, &obj.Object); err != nil {
		fail(fmt.Errorf("the object is not JSON: %w", err))
	}
	// as for a resource.customizations.health.<group>_<kind> key of argocd-cm without useOpenLibs
	vm := lua.VM{UseOpenLibs: false}
	hs, err := vm.ExecuteHealthLua(obj, string(script))
	if err != nil {
		fail(err)
	}
	fmt.Printf("status=%s\nmessage=%s\n", hs.Status, hs.Message)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "argo-health:", err)
	os.Exit(1)
}
