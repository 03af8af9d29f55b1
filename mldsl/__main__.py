from mldsl.cli.entry import main

main()
