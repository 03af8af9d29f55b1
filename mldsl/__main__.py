from mldsl.entry import main

main()
