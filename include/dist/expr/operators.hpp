// C++ operators on expressions: arithmetic, comparisons
// (bool results), logical, and bitwise/shift operators on integer and bool
// element types only, so `a & b` on doubles does not compile.
#pragma once

#include <type_traits>
#include <utility>

#include "functions.hpp"
#include "node.hpp"

namespace dist {
namespace detail {
template <class X> struct operand_value { using type = std::remove_cvref_t<X>; };
template <class X> requires expression<X> struct operand_value<X> { using type = value_of<X>; };
/// The element type of an operand: an expression's value type, or the scalar's type.
template <class X> using operand_value_t = typename operand_value<X>::type;
template <class A, class B>
concept bitwise_operands = binary_operands<A, B> && std::is_integral_v<operand_value_t<A>> && std::is_integral_v<operand_value_t<B>>;
template <class A, class B>
concept shift_operands = bitwise_operands<A, B> && is_integer_v<operand_value_t<A>> && is_integer_v<operand_value_t<B>>;
template <class A, class B>
concept ordered_operands = binary_operands<A, B> && !is_complex_v<operand_value_t<A>> && !is_complex_v<operand_value_t<B>>;
}  // namespace detail

template <class A, class B> requires binary_operands<A, B>
auto operator+(A&& a, B&& b) { return detail::make_node(detail::plus_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto operator-(A&& a, B&& b) { return detail::make_node(detail::minus_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto operator*(A&& a, B&& b) { return detail::make_node(detail::multiplies_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto operator/(A&& a, B&& b) { return detail::make_node(detail::divides_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::ordered_operands<A, B>
auto operator%(A&& a, B&& b) { return detail::make_node(detail::modulus_op{}, std::forward<A>(a), std::forward<B>(b)); }

template <class A, class B> requires binary_operands<A, B>
auto operator==(A&& a, B&& b) { return detail::make_node(detail::equal_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto operator!=(A&& a, B&& b) { return detail::make_node(detail::not_equal_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::ordered_operands<A, B>
auto operator<(A&& a, B&& b) { return detail::make_node(detail::less_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::ordered_operands<A, B>
auto operator<=(A&& a, B&& b) { return detail::make_node(detail::less_equal_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::ordered_operands<A, B>
auto operator>(A&& a, B&& b) { return detail::make_node(detail::greater_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::ordered_operands<A, B>
auto operator>=(A&& a, B&& b) { return detail::make_node(detail::greater_equal_op{}, std::forward<A>(a), std::forward<B>(b)); }

template <class A, class B> requires binary_operands<A, B>
auto operator&&(A&& a, B&& b) { return detail::make_node(detail::logical_and_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto operator||(A&& a, B&& b) { return detail::make_node(detail::logical_or_op{}, std::forward<A>(a), std::forward<B>(b)); }

template <class A, class B> requires detail::bitwise_operands<A, B>
auto operator&(A&& a, B&& b) { return detail::make_node(detail::bit_and_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::bitwise_operands<A, B>
auto operator|(A&& a, B&& b) { return detail::make_node(detail::bit_or_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::bitwise_operands<A, B>
auto operator^(A&& a, B&& b) { return detail::make_node(detail::bit_xor_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::shift_operands<A, B>
auto operator<<(A&& a, B&& b) { return detail::make_node(detail::shift_left_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires detail::shift_operands<A, B>
auto operator>>(A&& a, B&& b) { return detail::make_node(detail::shift_right_op{}, std::forward<A>(a), std::forward<B>(b)); }

template <expression E> requires(!std::is_same_v<detail::value_of<E>, bool>)
auto operator-(E&& e) { return detail::make_node(detail::negate_op{}, std::forward<E>(e)); }
template <expression E>
auto operator+(E&& e) { return detail::make_node(detail::identity_op{}, std::forward<E>(e)); }
template <expression E>
auto operator!(E&& e) { return detail::make_node(detail::logical_not_op{}, std::forward<E>(e)); }
template <expression E> requires std::is_integral_v<detail::value_of<E>>
auto operator~(E&& e) { return detail::make_node(detail::bit_not_op{}, std::forward<E>(e)); }

}  // namespace dist
