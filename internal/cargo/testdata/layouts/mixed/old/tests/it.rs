#[test] fn works() {}
