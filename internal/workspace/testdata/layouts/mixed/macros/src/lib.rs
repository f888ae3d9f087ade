use proc_macro::TokenStream;
use quote::quote;

/// Defines `fn answer() -> i32`.
#[proc_macro]
pub fn answer_fn(_input: TokenStream) -> TokenStream {
    let value = proc_macro2::Literal::i32_unsuffixed(42);
    quote!(fn answer() -> i32 { #value }).into()
}
