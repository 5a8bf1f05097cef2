# transfers: bank.sh's transfers, recorded from the opening of the
# accounts, so the stream holds every row and a total over the table is
# the server's own (4000.00) on every node that has the accounts.
. ./scripts/samples/bank.sh
setup() {
    create_accounts
}
workload() {
    open_accounts
    sleep 0.5
    transfer_all
}
