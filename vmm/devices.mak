# The devices of the VMM of the end-to-end scenarios: the q35 machine and edu
CONFIG_Q35=y
CONFIG_EDU=y
