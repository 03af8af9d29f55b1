from mldsl.cli import main

main()
