package cli

import (
	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/deploy"
)

func init() { subcommands = append(subcommands, newApplyCmd) }

func newApplyCmd(s *streams) *cobra.Command {
	o := &resolveOptions{}
	cmd := &cobra.Command{
		Use:   "apply -f FILE|DIR|- [flags] [-- KUBECTL-FLAGS...]",
		Short: "Resolve berth:// references like resolve, then kubectl apply the result",
		Long: `Resolve berth:// references like resolve, then kubectl apply the result.

The YAML resolve would print goes to ` + "`kubectl apply -f -`" + `, with every argument
after -- passed to kubectl as it is (--namespace, --context, --dry-run=server,
--server-side, ...). berth never talks to the cluster: kubectl does, with its
own configuration (KUBECONFIG).`,
		Example: `  cargo berth apply -f k8s/ --repo ghcr.io/team/app
  cargo berth apply -f deploy.yaml -- --namespace staging --context staging`,
		Args: kubectlArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := o.resolve(cmd.Context(), s, changedFlags(cmd))
			if err != nil {
				return err
			}
			return deploy.Apply(cmd.Context(), out, args, s.Out, s.Err)
		},
	}
	o.add(cmd.Flags())
	return cmd
}

// kubectlArgs accepts positional arguments only after --: they are
// kubectl's, and a word before -- is more likely a mistyped flag.
func kubectlArgs(cmd *cobra.Command, args []string) error {
	if dash := cmd.ArgsLenAtDash(); len(args) > 0 && dash != 0 {
		return usagef("unknown argument %q for %q: kubectl's flags go after --, e.g. -- --namespace prod", args[0], cmd.CommandPath())
	}
	return nil
}
